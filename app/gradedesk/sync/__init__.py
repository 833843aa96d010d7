"""The sync engine: pull, push and Progress polling over the store and a platform. No Qt."""
