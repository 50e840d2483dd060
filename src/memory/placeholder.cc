// Placeholder so the area builds before its first source lands; remove when adding sources.
