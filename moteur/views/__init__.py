"""How results look: rich tables and text for people, JSON for machines. No I/O but the console given."""
