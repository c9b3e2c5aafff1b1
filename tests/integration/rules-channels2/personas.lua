return { classify = function(c) return "friendly" end }
