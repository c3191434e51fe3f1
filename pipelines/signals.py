"""Signals the spider sends besides Scrapy's own."""

crawl_error = object()  # a page could not be fetched or read: kwargs url, site_id, kind, message, status (HTTP or None)
site_moved = object()  # a site's home page redirected to another host: kwargs site_id, url
