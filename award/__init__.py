"""Domain core of the Golden Hammer and Sickle award: rounds, units, entries, outlines, tagging, storage.

Nothing here imports FastAPI, Jinja or the settings: functions take a Session, plain values and a
file store, and the clock (`now`) is passed in.
"""
