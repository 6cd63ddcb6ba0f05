"""What iGOT Karmayogi expects beyond a package: competency frameworks, categories and programmes, language names."""
