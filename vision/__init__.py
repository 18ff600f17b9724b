"""Computer vision for garments and people: plain Python over numpy, OpenCV and mediapipe.

Not a Django app, and it imports nothing of the project: whatever a setting decides reaches it as an
argument, so search, catalog and the try-on engines can all use it, and it runs outside Django.
"""
