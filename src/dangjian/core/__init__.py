"""Shared kernel: base fields, money, ID numbers, masking, encryption, scoping protocol, events."""
