"""Point-supervised offline teachers (HR-Pro, TSASPC) and the frozen teacher cache."""
