from videos.api.routes import api

__all__ = ["api"]
