"""Pure rules of the gateway: the routing table, token zones and refusal, rate-limit arithmetic, client addresses."""
