from sluis.cli import main

raise SystemExit(main())
