"""What iGOT Karmayogi expects beyond a package: question sets and the assessment sheet, competency
frameworks, categories and programmes, language names."""
