"""Several tt-media-servers used as one provider: config (the URLs, tokens and concurrencies),
member (one upstream's state and load), routing (who can make a job), fleet (choosing, draining,
re-admitting, the liveness checker) and metrics (per upstream, by name)."""
