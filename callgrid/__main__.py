from callgrid.cli import main

raise SystemExit(main())
