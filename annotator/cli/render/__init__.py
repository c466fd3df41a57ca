"""Everything the command line prints beyond plain lines: rich tables, outlines and
reports. The core modules compute; these modules lay the results out for a terminal."""
