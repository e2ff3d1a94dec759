"""Server-rendered dashboard: the numbers of every domain in a browser."""
