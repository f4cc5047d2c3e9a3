// Placeholder: replaced by the test bed implementation.
