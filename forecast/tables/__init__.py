"""Row schemas of the tables each model reads, registered with :mod:`forecast.data`.

The loading machinery (line numbers, headers, duplicates, future dates) lives in
:mod:`forecast.data`; each module here declares one domain's tables.
"""
