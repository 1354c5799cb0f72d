"""QGIS started headless for the client tests: one place for how (a throwaway profile folder if given)."""
from qgis.core import QgsApplication


def start_qgis(profile=''):
    """An initialised QgsApplication without GUI; `profile` keeps QGIS's settings out of the user's home."""
    app = QgsApplication([], False, profile) if profile else QgsApplication([], False)
    app.initQgis()
    return app
