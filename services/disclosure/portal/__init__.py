"""The public portal (门户): server-rendered Chinese pages, no JavaScript, printable."""
