"""Find and measure: the idea bank and workshops, open suitability scoring, the Ministry of
Finance's business cases, planned against realised benefits, impact on Helmi's four axes, path
documents, result cards, programme follow-up and sharing across municipalities."""
