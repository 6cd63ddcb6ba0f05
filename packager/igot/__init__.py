"""iGOT Karmayogi's own objects beside the HTML archive: question sets, the assessment sheet."""
