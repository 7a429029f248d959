"""The course content format: parsing, validation and rendering, free of the database.

Everything here works on plain values, so that the importer can check a whole course folder
before anything is saved, and the same code renders what learners see.
"""
