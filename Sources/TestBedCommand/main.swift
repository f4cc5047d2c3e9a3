TestBedCommand.main()
