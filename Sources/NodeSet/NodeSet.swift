// Placeholder: replaced by the NodeSet implementation.
