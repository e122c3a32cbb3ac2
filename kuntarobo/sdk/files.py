"""Files a robot writes: stored with a model row (gone again if its transaction rolls back),
or written whole into a folder (never half a file)."""

from kuntarobo.runtime.files import save_file, write_file_atomically

__all__ = ["save_file", "write_file_atomically"]
