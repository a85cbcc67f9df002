from sluis_client.cli import main

raise SystemExit(main())
