"""Reusable constructs: the W&B module wrapper, EKS cluster access, the terraform block."""
