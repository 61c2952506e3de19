"""The WAF (Web应用防火墙): nginx + ModSecurity v3 + OWASP CRS in front of the portal, over TLS.

nginx proxies to the portal (an app host in the public zone) when the centre has one, else serves
the portal's static page itself; either way every request passes ModSecurity (a location answered
by `return` would bypass it). Blocked requests get 403; ModSecurity writes one JSON audit record per
relevant transaction, which the host's rsyslog ships to the collector.
"""

from __future__ import annotations

NGINX_CONF = "/etc/govcloud/nginx.conf"
MODSEC_CONF = "/etc/govcloud/modsec.conf"
AUDIT_LOG = "/var/log/nginx/modsec_audit.json"
CERT = "/etc/govcloud/pki/host.pem"
KEY = "/etc/govcloud/pki/host.key"
CA = "/etc/govcloud/pki/ca.pem"
WEB_ROOT = "/var/www/govcloud-portal"
PORTAL_PORT = 443

PORTAL_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>滁州政务服务门户（实验） / Chuzhou portal (lab)</title></head>
<body><h1>滁州政务服务门户（实验环境）</h1><p>Chuzhou government services portal (lab)</p></body></html>
"""


def modsecurity(rule_engine: str = "On") -> str:
    return f"""# govcloud lab WAF: ModSecurity v3 base configuration + OWASP CRS (Debian modsecurity-crs)
SecRuleEngine {rule_engine}
SecRequestBodyAccess On
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 131072
SecRequestBodyLimitAction Reject
SecResponseBodyAccess Off
SecTmpDir /tmp/
SecDataDir /tmp/
SecAuditEngine RelevantOnly
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecAuditLogParts ABHZ
SecAuditLogType Serial
SecAuditLogFormat JSON
SecAuditLog {AUDIT_LOG}
SecArgumentSeparator &
SecCookieFormat 0
SecStatusEngine Off
Include /etc/modsecurity/crs/crs-setup.conf
Include /usr/share/modsecurity-crs/rules/*.conf
"""


def nginx(host: str, upstream: tuple[str, str] | None, waf: bool = True, port: int = PORTAL_PORT) -> str:
    """nginx.conf for the WAF host; `upstream` is the portal's (`https://ADDR:443`, host name) or None.

    `port`: where this nginx listens (default the portal port; the WAF benchmark runs a second one).
    """
    modsec = f"    modsecurity on;\n    modsecurity_rules_file {MODSEC_CONF};\n" if waf else ""
    if upstream:
        body = (f"        proxy_pass {upstream[0]};\n"
                "        proxy_ssl_verify on;\n"
                f"        proxy_ssl_name {upstream[1]};\n"
                "        proxy_ssl_server_name on;\n"
                f"        proxy_ssl_trusted_certificate {CA};\n"
                "        proxy_set_header Host $host;\n"
                "        proxy_set_header X-Forwarded-For $remote_addr;\n")
    else:
        body = f"        root {WEB_ROOT};\n        index index.html;\n"
    return f"""# govcloud lab: {host} — Web应用防火墙 WAF in front of the portal (TLS)
include /etc/nginx/modules-enabled/*.conf;
worker_processes 1;
pid /run/govcloud-nginx.pid;
error_log /var/log/nginx/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log /var/log/nginx/access.log;
    server_tokens off;
{modsec}    server {{
        listen {port} ssl;
        listen [::]:{port} ssl;
        server_name {host};
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {{
{body}        }}
    }}
}}
"""


PORTAL_APP = r'''#!/usr/bin/python3
"""govcloud lab portal: a static page over TLS (the system behind the WAF)."""
import http.server, ssl, sys
PAGE = open("/var/www/govcloud-portal/index.html", "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)
    def log_message(self, fmt, *args):
        pass
class S(http.server.ThreadingHTTPServer):
    address_family = __import__("socket").AF_INET6
    def server_bind(self):
        self.socket.setsockopt(__import__("socket").IPPROTO_IPV6, __import__("socket").IPV6_V6ONLY, 0)
        super().server_bind()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("/etc/govcloud/pki/host.pem", "/etc/govcloud/pki/host.key")
srv = S(("::", int(sys.argv[1]) if len(sys.argv) > 1 else 443), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
'''
