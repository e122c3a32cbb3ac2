"""kuntarobo: software robots that work beside municipal staff."""

__version__ = "0.1.0"
