"""``python -m signage_server.demo``: see ``run``."""

from signage_server.demo.run import main

raise SystemExit(main())
