"""Scrapy settings: polite by default, overridable from the environment."""
import os

BOT_NAME = "kommunarkiv"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

CONTACT_URL = os.environ.get("KOMMUNARKIV_CONTACT_URL", "https://github.com/kommunarkiv/kommunarkiv")
USER_AGENT = f"kommunarkiv/0.1 (+{CONTACT_URL}; archive of public-sector development projects)"

ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"
CONCURRENT_REQUESTS = int(os.environ.get("KOMMUNARKIV_CONCURRENT_REQUESTS", "16"))
CONCURRENT_REQUESTS_PER_DOMAIN = int(os.environ.get("KOMMUNARKIV_CONCURRENT_PER_SITE", "2"))
DOWNLOAD_DELAY = float(os.environ.get("KOMMUNARKIV_DOWNLOAD_DELAY", "0.5"))
AUTOTHROTTLE_ENABLED = os.environ.get("KOMMUNARKIV_AUTOTHROTTLE", "1") == "1"
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY or 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = float(os.environ.get("KOMMUNARKIV_DOWNLOAD_TIMEOUT", "30"))
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
SITEMAP_MAXSIZE = 50 * 1024 * 1024  # the sitemap protocol's limit, uncompressed (request meta download_maxsize)
SITEMAP_MAX_URLS = 50_000  # the sitemap protocol's limit of URLs per sitemap
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("KOMMUNARKIV_LOG_LEVEL", "INFO")
DEPTH_LIMIT = int(os.environ.get("KOMMUNARKIV_DEPTH_LIMIT", "8"))
DEPTH_PRIORITY = 1  # breadth-first within a site: shallow pages first
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scraper.middlewares.RobotsMiddleware": 100,
    # Losses recorded instead of dropped: redirects to self, loops and long chains (before RedirectMiddleware,
    # 600), self-refreshes kept (in MetaRefreshMiddleware's place), bombs (in HttpCompressionMiddleware's).
    "scraper.middlewares.RedirectLossMiddleware": 610,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scraper.middlewares.SelfRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "scraper.middlewares.BoundedCompressionMiddleware": 590,
    # process_response runs from high to low: Retry-After before RetryMiddleware (550) re-queues, and the
    # conditional-request check after HttpCompressionMiddleware (590) has decompressed the body.
    "scraper.middlewares.RetryAfterMiddleware": 560,
    "scraper.middlewares.ConditionalRequestMiddleware": 580,
}
EXTENSIONS = {"scraper.progress.ProgressDisplay": 500}

ITEM_PIPELINES = {
    "pipelines.stages.CleanPipeline": 100,
    "pipelines.stages.StorePipeline": 300,
}

KOMMUNARKIV_DB = "archive.db"
KOMMUNARKIV_MAX_PAGES = 500
KOMMUNARKIV_RUN_ID = None  # set by scraper.crawl for each run
KOMMUNARKIV_MAX_QUERY_VARIANTS = int(os.environ.get("KOMMUNARKIV_MAX_QUERY_VARIANTS", "20"))  # per path: ?page=, ?datum=...
KOMMUNARKIV_MAX_PER_PATTERN = int(os.environ.get("KOMMUNARKIV_MAX_PER_PATTERN", "300"))  # per shape: /kalender/0/0/0
KOMMUNARKIV_MAX_CRAWL_DELAY = float(os.environ.get("KOMMUNARKIV_MAX_CRAWL_DELAY", "10"))  # longest Crawl-delay obeyed, s
KOMMUNARKIV_RETRY_AFTER_MAX = float(os.environ.get("KOMMUNARKIV_RETRY_AFTER_MAX", "120"))  # longest pause, seconds
KOMMUNARKIV_REMOVE_AFTER = int(os.environ.get("KOMMUNARKIV_REMOVE_AFTER", "3"))  # crawls a page may be absent from
KOMMUNARKIV_PROGRESS = os.environ.get("KOMMUNARKIV_PROGRESS", "auto")  # auto (when stderr is a terminal), always, never
KOMMUNARKIV_PROGRESS_INTERVAL = float(os.environ.get("KOMMUNARKIV_PROGRESS_INTERVAL", "2"))
# How long a distributed worker's lease on a host lasts, s (so a killed worker's leases lapse); 0: DOWNLOAD_TIMEOUT + 10
KOMMUNARKIV_LEASE_SECONDS = float(os.environ.get("KOMMUNARKIV_LEASE_SECONDS", "0"))
KOMMUNARKIV_EXTRACT_WORKERS = int(os.environ.get("KOMMUNARKIV_EXTRACT_WORKERS", "0"))  # 0: one per core
