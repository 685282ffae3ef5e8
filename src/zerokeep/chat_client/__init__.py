"""`zerokeep chat`: a terminal client for Mistral-compatible servers; history stays local."""
