"""welfare-kg: knowledge graph of a Japanese community welfare plan."""
