"""发展党员 (member development): applicants, their pipeline through the five stages and the 25 steps
of DOMAIN §5, with the regulation minimums as editable rules."""
