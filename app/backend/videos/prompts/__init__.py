"""Prompt enhancement: a person's prompt rewritten by an OpenAI-compatible chat model into a
director's description (`instructions.py` says what is asked, `enhancer.py` asks it)."""
