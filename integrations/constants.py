import datetime as dt

# How long tokens from a consent wait for the user to choose the organisation.
PENDING_GRANT_LIFETIME = dt.timedelta(hours=1)
