"""Pure rules of monitoring: standard tables, AQI, water class, noise grades, validity, HJ 212 packets."""
