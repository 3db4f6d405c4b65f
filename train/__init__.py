"""Training flow for block-circulant LSTM/GRU speech models (see `python -m train --help`)."""
