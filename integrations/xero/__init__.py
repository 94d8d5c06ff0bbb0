"""The only code that talks HTTP to Xero (or the sandbox). Plain data in, plain data out."""
