"""JupyterLab from this environment, on localhost, driven by headless Chromium.

Shared by ``tests/test_live.py`` and ``benchmarks/bench_live.py``. The server
runs with a throw-away Jupyter home (config, data, runtime, settings, workspaces)
and serves one folder; kernels import this checkout's ``lstm_tutorial``
(``PYTHONPATH``). Requests that leave the machine are blocked and recorded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from offline_browser import OfflinePage

ROOT = Path(__file__).resolve().parents[1]
# JupyterLab would ask the internet for news and updates: it is told not to
NO_NEWS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
           {"fetchNews": "false", "checkForUpdates": False}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(folder: Path, home: Path, timeout: float = 90) -> Iterator[str]:
    """Start JupyterLab serving ``folder``; yield its URL; stop it and its kernels.

    The app object is exposed in the page (``window.jupyterapp``) so a test can
    run JupyterLab's own commands (run all, save) as its menus do.
    """
    settings = home / "settings"
    for name, value in NO_NEWS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        env[var] = str(home / sub)
    port = free_port()
    lab = Path(sys.executable).with_name("jupyter-lab")
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [str(lab), "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", "--port-retries=0", f"--ServerApp.root_dir={folder}",
         "--IdentityProvider.token=", "--ServerApp.password=",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly",
         f"--LabApp.user_settings_dir={settings}",
         f"--LabApp.workspaces_dir={home / 'workspaces'}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited:\n{server_log(home)}")
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{server_log(home)}")
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server shuts its kernels down
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def server_log(home: Path) -> str:
    path = home / "server.log"
    return path.read_text()[-4000:] if path.exists() else ""


class LabPage(OfflinePage):
    """One browser page on the server: its console errors and outside requests."""

    def __init__(self, browser: Any, base: str) -> None:
        super().__init__(browser, base)

    def open(self, name: str) -> None:
        """Open notebook ``name`` and wait until its kernel is ready."""
        self.page.goto(f"{self.base}/lab/tree/{name}?reset")
        self.page.wait_for_function(KERNEL_IDLE, timeout=90_000, polling=200)

    def command(self, command: str) -> Any:
        """Run a JupyterLab command (what its menus and shortcuts run)."""
        return self.page.evaluate(
            "(c) => window.jupyterapp.commands.execute(c).then(() => true)", command)

    def run_all(self, timeout_ms: int = 150_000) -> None:
        """Run all cells and wait until every one has finished."""
        self.command("notebook:run-all-cells")
        self.page.wait_for_timeout(500)
        self.page.wait_for_function(ALL_RUN, timeout=timeout_ms, polling=250)

    def save(self) -> None:
        self.command("docmanager:save")
        self.page.wait_for_function(
            "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current"
            ".jp-mod-dirty')", timeout=20_000)

    def dirty(self) -> bool:
        tab = self.page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")
        return tab.count() > 0

    def scroll_through(self) -> None:
        """Bring every cell into view once, so every output renders."""
        cells = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell")
        for i in range(cells.count()):
            cells.nth(i).scroll_into_view_if_needed()

    def close(self) -> None:
        self.context.close()


KERNEL_IDLE = """() => { const w = window.jupyterapp
                                   && window.jupyterapp.shell.currentWidget;
    const k = w && w.sessionContext && w.sessionContext.session
              && w.sessionContext.session.kernel;
    return !!k && k.status === 'idle'; }"""

ALL_RUN = """() => { const w = window.jupyterapp.shell.currentWidget;
    const k = w.sessionContext.session && w.sessionContext.session.kernel;
    const prompts = Array.from(w.node.querySelectorAll('.jp-InputPrompt'));
    return !!k && k.status === 'idle'
           && !prompts.some(p => p.textContent.includes('*')); }"""


def copy_through(src: Path, dest: Path, last_cell_source: str) -> int:
    """Copy notebook ``src`` to ``dest`` up to and including the first code cell
    whose source contains ``last_cell_source``; return that cell's index."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and last_cell_source in "".join(cell["source"]):
            nb["cells"] = nb["cells"][: k + 1]
            dest.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
            return k
    raise ValueError(f"no code cell of {src.name} contains {last_cell_source!r}")
