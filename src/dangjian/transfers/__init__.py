"""Organisation-relationship transfers (组织关系转接) and the member status machine of DOMAIN §6."""
