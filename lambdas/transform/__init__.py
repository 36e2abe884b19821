"""Transform: validate raw records, normalize them, group them by country."""
