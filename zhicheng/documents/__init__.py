"""Shared document rendering: A4 PDFs with an embedded Chinese font, QR codes, Excel workbooks.

Generic on purpose: certificates, filing rosters and meeting minutes all build on it.
"""
