"""Start Alignment Studio: `python app.py [--host H] [--port P] [--share] [--model NAME] [--runs-dir DIR]`."""

import argparse

import studio  # noqa: F401  (sets the no-telemetry defaults before gradio is imported)
from studio.models import BUNDLED_MODEL


def main() -> None:
    parser = argparse.ArgumentParser(description="Alignment Studio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--share", action="store_true", help="also serve through a public gradio.live link")
    parser.add_argument("--model", default=BUNDLED_MODEL, help="default model: bundled, hub id or local folder")
    parser.add_argument("--runs-dir", default=None, help="where run folders go (default: ./runs)")
    args = parser.parse_args()

    from studio.ui import create_app, launch_kwargs

    app = create_app(default_model=args.model, runs_dir=args.runs_dir)
    app.queue(default_concurrency_limit=4).launch(server_name=args.host, server_port=args.port, share=args.share,
                                                  **launch_kwargs())


if __name__ == "__main__":
    main()
