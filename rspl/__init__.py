"""RSPL, the Responsible Scaling Policy Language: a checked language for frontier-AI safety
policies, and a compiler to evaluators, documents and schemas."""

__version__ = "0.1.0"
