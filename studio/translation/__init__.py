"""Translation: the translation workspace and its store (segments, memory, glossary)."""
