"""``python -m app`` (``make app``): serve the policy lab on http://127.0.0.1:$APP_PORT (default 8050)."""

from .server import HOST, create_app, port

if __name__ == "__main__":
    create_app().run(host=HOST, port=port(), debug=False)
