// Placeholder: replaced by the Wmflib implementation.
