// Package demo holds the demo catalogue (a small bakery and farm shop) that
// `shopfront seed` loads, plus generated product illustrations.
package demo

// Category is a demo category.
type Category struct {
	Slug     string // lower-case a-z0-9 and single hyphens, e.g. "bread"
	Name     string // e.g. "Bread"
	Position int    // display order, starting at 1
}

// Product is a demo product.
type Product struct {
	Slug         string // unique, lower-case a-z0-9 and single hyphens, <= 80 chars
	CategorySlug string
	Name         string // <= 120 chars
	Description  string // 1–3 plain sentences, British English, <= 600 chars, no HTML
	PriceMinor   int64  // price in pence (GBP minor units), > 0
	Stock        int32  // 0..60; a couple are sold out and a few are nearly gone
	AgeDays      int    // how many days ago it was added (0..60)
}

// Categories returns the demo categories in display order.
func Categories() []Category {
	return []Category{
		{Slug: "bread", Name: "Bread", Position: 1},
		{Slug: "pastries-cakes", Name: "Pastries & Cakes", Position: 2},
		{Slug: "dairy-eggs", Name: "Dairy & Eggs", Position: 3},
		{Slug: "fruit-veg", Name: "Fruit & Veg", Position: 4},
		{Slug: "pantry", Name: "Pantry", Position: 5},
	}
}

// Products returns the 30 demo products. A fresh slice is returned on every
// call so callers may modify it freely.
func Products() []Product {
	return []Product{
		// Bread
		{"white-sourdough-loaf", "bread", "White Sourdough Loaf",
			"Our signature loaf, slow-fermented for 36 hours and baked on the stone for a blistered, crackling crust. Open, chewy crumb with a gentle tang.",
			450, 14, 2},
		{"seeded-rye-loaf", "bread", "Seeded Rye Loaf",
			"A dense, dark rye packed with sunflower, pumpkin and linseed. Lovely thinly sliced with smoked fish or a sharp cheese.",
			495, 8, 17},
		{"wholemeal-tin-loaf", "bread", "Wholemeal Tin Loaf",
			"A soft, everyday sandwich loaf made with stoneground wholemeal flour from a local mill. Freezes well if you slice it first.",
			320, 22, 41},
		{"rosemary-sea-salt-focaccia", "bread", "Rosemary & Sea Salt Focaccia",
			"Pillowy focaccia dimpled with olive oil, fresh rosemary and flakes of sea salt. Best eaten warm on the day of baking.",
			395, 2, 5},
		{"traditional-baguette", "bread", "Traditional Baguette",
			"Made the French way with just flour, water, salt and yeast. Crisp outside, airy inside and baked fresh every morning.",
			180, 26, 53},
		{"spelt-honey-loaf", "bread", "Spelt & Honey Loaf",
			"A nutty, slightly sweet loaf made with wholegrain spelt and a spoonful of local honey. Wonderful toasted with butter.",
			425, 11, 24},

		// Pastries & Cakes
		{"all-butter-croissant", "pastries-cakes", "All-Butter Croissant",
			"Laminated by hand over three days with French butter for flaky, golden layers. Pop it in a warm oven for a few minutes to revive it.",
			195, 30, 1},
		{"pain-au-chocolat", "pastries-cakes", "Pain au Chocolat",
			"Our croissant dough rolled around two batons of dark chocolate. A weekend favourite, so come early.",
			220, 24, 9},
		{"cinnamon-swirl", "pastries-cakes", "Cinnamon Swirl",
			"Soft enriched dough rolled with brown sugar and cinnamon, finished with a sticky glaze.",
			260, 18, 33},
		{"victoria-sponge", "pastries-cakes", "Victoria Sponge (serves 8)",
			"Two light vanilla sponges sandwiched with raspberry jam and buttercream, dusted with caster sugar. Please allow a day's notice for larger orders.",
			1650, 3, 12},
		{"lemon-drizzle-cake", "pastries-cakes", "Lemon Drizzle Loaf Cake",
			"A moist lemon sponge soaked in tangy lemon syrup with a crunchy sugar crust. Keeps well for up to five days in a tin.",
			895, 0, 28},
		{"bakewell-tart", "pastries-cakes", "Bakewell Tart",
			"Sweet shortcrust filled with cherry jam and almond frangipane, topped with toasted flaked almonds.",
			1250, 6, 46},

		// Dairy & Eggs
		{"free-range-eggs-half-dozen", "dairy-eggs", "Free-Range Eggs (6)",
			"Large free-range eggs from hens that roam the orchard at Holly Tree Farm, two miles down the road. Rich, deep-yellow yolks.",
			260, 40, 0},
		{"duck-eggs", "dairy-eggs", "Duck Eggs (4)",
			"Creamy duck eggs with a generous yolk, perfect for baking or a proper fry-up. Laid by a small flock of Khaki Campbells.",
			350, 1, 19},
		{"whole-milk-1-litre", "dairy-eggs", "Whole Milk (1 litre)",
			"Unhomogenised whole milk from a single herd of Jersey cows, so the cream still rises to the top. Returnable glass bottle.",
			145, 18, 58},
		{"farmhouse-salted-butter", "dairy-eggs", "Farmhouse Salted Butter (250g)",
			"Hand-churned cultured butter with a pinch of sea salt. Spread it thickly on warm sourdough.",
			395, 15, 37},
		{"mature-farmhouse-cheese", "dairy-eggs", "Mature Cloth-Bound Cheddar (200g)",
			"Aged for 14 months in cloth for a crumbly texture and a deep, nutty flavour. Cut to order from the wheel.",
			475, 12, 14},
		{"natural-yoghurt", "dairy-eggs", "Natural Yoghurt (500g)",
			"Thick, live natural yoghurt made with milk from the same Jersey herd. Nothing added.",
			280, 20, 44},

		// Fruit & Veg
		{"cox-apples", "fruit-veg", "Cox Apples (1kg)",
			"Crisp, aromatic Cox's Orange Pippins picked from a Kentish orchard. Great for eating or for a crumble.",
			320, 35, 3},
		{"conference-pears", "fruit-veg", "Conference Pears (1kg)",
			"Sweet, juicy British pears. Leave them in the fruit bowl for a day or two if you prefer them softer.",
			340, 28, 21},
		{"british-strawberries", "fruit-veg", "British Strawberries (400g)",
			"Sun-ripened strawberries picked the morning they arrive in the shop. Full of flavour and gone in minutes.",
			395, 0, 7},
		{"heritage-tomatoes", "fruit-veg", "Heritage Tomatoes (500g)",
			"A colourful mix of heritage varieties grown in a polytunnel just outside the village. Slice, salt and enjoy with good olive oil.",
			375, 16, 26},
		{"new-potatoes", "fruit-veg", "New Potatoes (1kg)",
			"Waxy, thin-skinned new potatoes, still a little muddy from the field. Boil with mint and finish with butter.",
			250, 45, 50},
		{"bunched-carrots", "fruit-veg", "Bunched Carrots",
			"Sweet young carrots sold with their leafy tops on. Lovely roasted whole with honey and thyme.",
			180, 32, 11},

		// Pantry
		{"strawberry-jam", "pantry", "Strawberry Jam (340g)",
			"Made in small batches with British strawberries and plenty of fruit. Soft set, just as jam should be.",
			425, 25, 39},
		{"seville-orange-marmalade", "pantry", "Seville Orange Marmalade (340g)",
			"Thick-cut marmalade made each January with bitter Seville oranges. Bold, chunky and not too sweet.",
			425, 19, 60},
		{"wildflower-honey", "pantry", "Local Wildflower Honey (227g)",
			"Raw, unfiltered honey from hives on the edge of the common. The flavour changes with the seasons.",
			650, 3, 16},
		{"spiced-apple-chutney", "pantry", "Spiced Apple Chutney (300g)",
			"Windfall apples cooked down slowly with onions, raisins and warming spices. A natural partner for a ploughman's lunch.",
			395, 14, 31},
		{"stoneground-strong-white-flour", "pantry", "Stoneground Strong White Flour (1.5kg)",
			"The same flour we use for our own bread, milled from British wheat. Ideal for home baking.",
			295, 38, 48},
		{"cold-pressed-rapeseed-oil", "pantry", "Cold-Pressed Rapeseed Oil (500ml)",
			"Golden, grassy oil pressed on a family farm in Herefordshire. Good for roasting, dressings and dipping.",
			750, 10, 23},
	}
}
