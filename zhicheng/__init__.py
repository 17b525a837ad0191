"""ZhiCheng: the yearly professional-title (职称) cycle of a provincial HR department."""

__version__ = "0.1.0"
