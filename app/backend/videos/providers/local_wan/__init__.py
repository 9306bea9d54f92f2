"""The `local` engine: Wan 2.1 / 2.2 through diffusers (folder inspection, engine)."""
